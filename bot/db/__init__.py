"""Shared database building blocks: the declarative base and column types, engines and
migrations, and one session per action run or web request."""
