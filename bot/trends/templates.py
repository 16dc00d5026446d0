# ruff: noqa: E501  (HTML and CSS lines are easier to read unbroken)
"""Jinja2 templates of the dashboard (Dutch, server-rendered, no JavaScript).

Kept in Python so they ship with the package; autoescaping is on for every template.
"""

from __future__ import annotations

from jinja2 import DictLoader, Environment, select_autoescape

BASE = """<!doctype html>
<html lang="nl">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{% block title %}Koers dashboard{% endblock %} · Koers</title>
<link rel="stylesheet" href="{{ prefix }}/static/dashboard.css">
<link rel="icon" href="data:,">
</head>
<body>
<a class="skip" href="#inhoud">Naar de inhoud</a>
<header class="top">
  <p class="brand">Koers · trends voor coördinatoren</p>
  {% if coordinator %}
  <form method="post" action="{{ prefix }}/logout" class="logout">
    <input type="hidden" name="csrf_token" value="{{ csrf_token }}">
    <span>Ingelogd als {{ coordinator.username }}
      ({{ "programmacoördinator" if coordinator.is_programme else "coördinator " ~ own_label }})</span>
    <button type="submit">Uitloggen</button>
  </form>
  {% endif %}
</header>
{% if coordinator %}
<nav aria-label="Pagina's van het dashboard">
  <ul>
  {% for slug, title in pages %}
    <li><a href="{{ prefix }}/{{ slug }}{{ query }}"{% if slug == current %} aria-current="page"{% endif %}>{{ title }}</a></li>
  {% endfor %}
  </ul>
</nav>
{% endif %}
<main id="inhoud">
{% block main %}{% endblock %}
</main>
</body>
</html>
"""

LOGIN = """{% extends "base.html" %}
{% block title %}Inloggen{% endblock %}
{% block main %}
<h1>Inloggen</h1>
<p>Dit dashboard is voor coördinatoren van het loopbaanprogramma. Je ziet alleen trends,
nooit personen.</p>
{% if message %}<p class="error" role="alert">{{ message }}</p>{% endif %}
<form method="post" action="{{ prefix }}/login" class="login">
  <input type="hidden" name="csrf_token" value="{{ csrf_token }}">
  <p><label for="username">Gebruikersnaam</label>
  <input id="username" name="username" autocomplete="username" required maxlength="80"></p>
  <p><label for="password">Wachtwoord</label>
  <input id="password" name="password" type="password" autocomplete="current-password" required maxlength="256"></p>
  <p><button type="submit">Inloggen</button></p>
</form>
{% endblock %}
"""

PAGE = """{% extends "base.html" %}
{% block title %}{{ title }}{% endblock %}
{% block main %}
<h1>{{ title }}</h1>
<form method="get" action="{{ prefix }}/{{ current }}" class="filters" aria-label="Filters">
  <p><label for="gemeente">Gemeente</label>
  <select id="gemeente" name="gemeente">
  {% for value, label in municipality_options %}
    <option value="{{ value }}"{% if value == chosen_municipality %} selected{% endif %}>{{ label }}</option>
  {% endfor %}
  </select></p>
  <p><label for="van">Van week</label>
  <input id="van" name="van" value="{{ first_week }}" placeholder="2026-W01" maxlength="10" size="9" aria-describedby="week-help"></p>
  <p><label for="tot">Tot en met week</label>
  <input id="tot" name="tot" value="{{ last_week }}" placeholder="2026-W12" maxlength="10" size="9" aria-describedby="week-help"></p>
  <p><button type="submit">Toon</button></p>
  <p id="week-help" class="help">Een week schrijf je als jaar-W-weeknummer, bijvoorbeeld 2026-W07. De laatste week die je kunt kiezen is {{ last_completed }}.</p>
</form>
{% if message %}
<p class="error" role="alert">{{ message }}</p>
{% else %}
<p class="period">Je ziet de weken <strong>{{ first_week }}</strong> tot en met
<strong>{{ last_week }}</strong>: alleen afgelopen weken. De lopende week ({{ running_week }})
verschijnt hier zodra hij voorbij is, zodat niemand één gesprek van deze week kan terugzien
in de cijfers.</p>
<p class="rule"><strong>Zo beschermen we privacy:</strong> we tonen alleen groepjes van
minstens {{ k }} (per gemeente, per week). Kleinere groepjes staan er als
"&lt; {{ k }}" en tellen nergens mee, ook niet in totalen. Totalen kunnen daardoor lager zijn
dan in werkelijkheid.</p>
<p><a class="export" href="{{ prefix }}/{{ current }}.csv{{ query }}" download>Download deze cijfers als CSV</a></p>
{% for label, value in page.facts %}
<p class="fact">{{ label }}: <strong>{{ value }}</strong></p>
{% endfor %}
{% for item in tables %}
<section class="block" aria-labelledby="kop-{{ item.table.slug }}">
  <h2 id="kop-{{ item.table.slug }}">{{ item.table.caption }}</h2>
  {% if item.table.note %}<p class="note">{{ item.table.note }}</p>{% endif %}
  <div class="pair">
  {% if item.chart %}<figure class="chartbox">{{ item.chart | safe }}</figure>{% endif %}
  <div class="tablebox" tabindex="0" role="region" aria-label="{{ item.table.caption }} (tabel, scrollbaar)">
  <table>
    <caption>{{ item.table.caption }} (tabel)</caption>
    <thead><tr><th scope="col">{{ item.table.row_header }}</th>
    {% for column in item.table.columns %}<th scope="col">{{ column }}</th>{% endfor %}</tr></thead>
    <tbody>
    {% for label, values in item.rows %}
      <tr><th scope="row">{{ label }}</th>{% for value in values %}<td>{{ value }}</td>{% endfor %}</tr>
    {% endfor %}
    </tbody>
    {% if item.total %}
    <tfoot><tr><th scope="row">Totaal</th>{% for value in item.total %}<td>{{ value }}</td>{% endfor %}</tr></tfoot>
    {% endif %}
  </table>
  </div>
  </div>
</section>
{% endfor %}
{% endif %}
{% endblock %}
"""

MESSAGE = """{% extends "base.html" %}
{% block title %}{{ title }}{% endblock %}
{% block main %}
<h1>{{ title }}</h1>
<p class="error" role="alert">{{ message }}</p>
<p><a href="{{ prefix }}/">Terug naar het dashboard</a></p>
{% endblock %}
"""

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1a1a1a;background:#fff;line-height:1.5}
.skip{position:absolute;left:-9999px}.skip:focus{left:1rem;top:1rem;background:#fff;padding:.5rem}
.top{display:flex;flex-wrap:wrap;justify-content:space-between;align-items:center;background:#12355b;color:#fff;padding:.5rem 1rem}
.brand{margin:0;font-weight:700}
.logout{display:flex;gap:.75rem;align-items:center}
button{font:inherit;padding:.35rem .9rem;border:2px solid #12355b;background:#fff;color:#12355b;border-radius:4px;cursor:pointer}
.top button{border-color:#fff}
button:focus,a:focus,input:focus,select:focus{outline:3px solid #b35900;outline-offset:2px}
nav ul{list-style:none;display:flex;flex-wrap:wrap;gap:1rem;margin:0;padding:.75rem 1rem;border-bottom:1px solid #ccc}
nav a{color:#12355b}nav a[aria-current=page]{font-weight:700;text-decoration:none;border-bottom:3px solid #12355b}
main{padding:1rem;max-width:72rem}
.filters{display:flex;flex-wrap:wrap;gap:1rem;align-items:flex-end;background:#f2f4f7;padding:.75rem;border-radius:6px}
.filters p{margin:0}.filters label{display:block;font-weight:600}
.help{flex-basis:100%;font-size:.9rem;color:#474747}
input,select{font:inherit;padding:.25rem;border:1px solid #595959;border-radius:3px}
.error{border-left:5px solid #a4000f;background:#fdecee;padding:.5rem .75rem;color:#5c0009}
.rule{background:#eef5ee;border-left:5px solid #1e6b30;padding:.5rem .75rem}
.pair{display:flex;flex-wrap:wrap;gap:1.5rem;align-items:flex-start}
.chartbox{flex:1 1 26rem;margin:0}.tablebox{flex:1 1 22rem;overflow-x:auto}
table{border-collapse:collapse}caption{text-align:left;font-weight:600;padding-bottom:.25rem}
th,td{border:1px solid #bbb;padding:.25rem .5rem;text-align:right}th[scope=row],thead th:first-child{text-align:left}
thead th{background:#e8edf3}tfoot th,tfoot td{font-weight:700;background:#f2f4f7}
.note{color:#474747}
.export{font-weight:600;color:#12355b}
.login label{display:block;font-weight:600}
"""

ENVIRONMENT = Environment(
    loader=DictLoader(
        {"base.html": BASE, "login.html": LOGIN, "page.html": PAGE, "message.html": MESSAGE}
    ),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


def render(name: str, **context: object) -> str:
    return ENVIRONMENT.get_template(name).render(**context)
