"""``landing-zone audit``: the policy pack and a drift check over a deployed stack, read from ``pulumi stack export``.

The preview judges what a program *intends*; the audit judges what is *deployed*. It reads the
stack's state (deployment format v3), hands every resource's outputs (what Azure returned at the last
``pulumi up`` or ``pulumi refresh``) to the same policy pack over the same Analyzer protocol the
preview uses, and compares each resource's outputs with the inputs the program sent (drift).
No cloud credentials, no Pulumi CLI, nothing decrypted.
"""
