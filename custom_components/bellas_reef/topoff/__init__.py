"""Auto top-off: a pump switched on a level sensor within daily and per-fill limits, with no Home Assistant imports.

``TopOff`` takes the level and reservoir sensors, whether it is paused, and the clock, and says whether the pump
should run; a fill that runs too long locks it out until the keeper resets it.
"""

from .control import Alarm, Settings, Status, TopOff, TopOffError

__all__ = ["Alarm", "Settings", "Status", "TopOff", "TopOffError"]
