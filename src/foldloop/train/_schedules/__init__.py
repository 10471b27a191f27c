"""Schedules: pure functions from a step to a value (learning rates, momenta, ...)."""

from ._base import Schedule as Schedule
from ._base import as_schedule as as_schedule
from ._base import constant_schedule as constant_schedule
from ._cosine import cosine_annealing as cosine_annealing
from ._cyclical import cyclical as cyclical
from ._decay import exponential_decay as exponential_decay
from ._decay import inverse_time_decay as inverse_time_decay
from ._decay import linear_schedule as linear_schedule
from ._decay import multistep_schedule as multistep_schedule
from ._decay import step_schedule as step_schedule
from ._piecewise import join_schedules as join_schedules
from ._piecewise import piecewise_linear as piecewise_linear
