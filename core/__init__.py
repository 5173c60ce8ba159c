"""The ground floor: what every app may use. It imports no project app."""
