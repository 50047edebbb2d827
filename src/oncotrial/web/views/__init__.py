"""Views of the web application, one module per area (thin: parse, call one function, render)."""
