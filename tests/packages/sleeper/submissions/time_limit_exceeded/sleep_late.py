import sys

sys.stdin.read()
import time

time.sleep(4)
