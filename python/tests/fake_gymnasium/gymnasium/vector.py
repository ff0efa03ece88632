"""gymnasium.vector stand-in: the VectorEnv base class and AutoresetMode (Gymnasium >= 1.1)."""

import enum


class AutoresetMode(enum.Enum):
    NEXT_STEP = "NextStep"
    SAME_STEP = "SameStep"
    DISABLED = "Disabled"


class VectorEnv:
    metadata = {}
    render_mode = None
    closed = False
    num_envs = 0

    def close(self, **kwargs):
        self.closed = True
