"""Dutch texts the socket channel sends itself, before a message reaches Rasa.

Checked for plain language by tests/test_readability.py, like every other bot text.
"""

TOO_LONG = (
    "Je bericht is te lang. Ik kan maximaal {max_chars} tekens lezen. "
    "Wil je het korter zeggen? Of stuur het in een paar kleinere stukjes."
)
TOKEN_EXPIRED = (
    "Je sessie is verlopen. Laad de pagina van het intranet opnieuw. "
    "Daarna kun je weer met Koers praten."
)
TOKEN_INVALID = (
    "Koers kan niet controleren wie je bent. Daarom kun je nu niet chatten. "
    "Laad de pagina opnieuw. Lukt het dan nog niet? Meld het bij de servicedesk van je gemeente."
)
