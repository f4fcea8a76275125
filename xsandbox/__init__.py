"""X sandbox: a local stand-in for the parts of the X API that SocialHub uses.

    from xsandbox import start_sandbox
    with start_sandbox(port=0, quiet=True) as sb:
        requests.post(sb.url + "/_sandbox/users", json={"username": "alice_x"})

Standard library plus oauthlib only. See xsandbox/README.md.
"""
from .config import SandboxConfig
from .faults import FaultSettings
from .server import Sandbox, make_server, start_sandbox
from .state import SandboxState

__all__ = ["FaultSettings", "Sandbox", "SandboxConfig", "SandboxState", "make_server", "start_sandbox"]
