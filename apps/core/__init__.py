"""What every app may use and that depends on none of them: the domain-error base and small pure helpers.

No Django models and no imports from other apps: parsers and the calculator import from here too."""
