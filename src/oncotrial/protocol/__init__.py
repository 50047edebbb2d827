"""The trial protocol: what a registration says and what an investigator adds (core, pure)."""
