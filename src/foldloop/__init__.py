from foldloop.core import *
