"""Realistic trial simulation from a protocol and design parameters (core, pure; seeded).

``simulate_trial(protocol, n, seed, parameters)`` returns a ``SimulatedTrial`` holding the SDTM
domain frames (DM, DS, IE, TU, TR, RS, EX, PR, AE, LB, CM, QS, VS, SC, GF, MI; docs/sdtm.md) —
the demo data, the test data and the engine of simulation-based design. docs/simulator.md
describes the model and its defaults.
"""

from oncotrial.simulate.parameters import ArmParameters, DesignParameters
from oncotrial.simulate.trial import SimulatedTrial, simulate_trial

__all__ = ["ArmParameters", "DesignParameters", "SimulatedTrial", "simulate_trial"]
