"""The local web app (`outreach serve`): the CLI's journey in a browser, over the same library.

Only `outreach serve` imports this package, so the web stack (Starlette, uvicorn) never slows the CLI's start.
`services.py` is the one module that imports the library; routes parse, call it, and render templates.
"""
