"""The web widget channel: signed tokens and session ids, the socket.io handler, its texts."""
