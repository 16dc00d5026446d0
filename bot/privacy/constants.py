"""Names shared by the privacy code in the Rasa server and the action server."""

#: The action that confirms erasure; the tracker store deletes the conversation when it sees it.
ERASE_ACTION = "action_erase_conversation"

#: Metadata key of the signed identity claim (one turn only; never stored).
METADATA_IDENTITY = "koers_identity"
#: Metadata keys a client may never choose and the tracker store never keeps. Here, not in
#: :mod:`bot.channels.identity`, because the scrubber needs them and identity needs the
#: pseudonymizer: a leaf both can import.
IDENTITY_METADATA_KEYS = frozenset({METADATA_IDENTITY, "employee_key", "employee_keys"})
