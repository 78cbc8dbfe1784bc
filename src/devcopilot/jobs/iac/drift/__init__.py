"""``iac drift``: Kubernetes objects as declared against the objects a cluster holds."""
