"""The flows of a conversation, one module each; they never import one another (see `..step.GoTo`).

- `topics`   — from a topic to one policy: region, then which policy (or clarify the topic)
- `answer`   — THE ANSWER SEAM: what is said about one policy for what was asked
- `check`    — the eligibility check, condition by condition, and the verdict
- `contacts` — offices and phone numbers: by district, or an office asked for by name
- `help`     — greetings and commands, a person to talk to, out of scope, unreadable answers
"""
