"""What changed in published content, for the front ends: webhooks and the changes feed."""
