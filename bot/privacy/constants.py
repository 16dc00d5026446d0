"""Names shared by the privacy code in the Rasa server and the action server."""

#: The action that confirms erasure; the tracker store deletes the conversation when it sees it.
ERASE_ACTION = "action_erase_conversation"
