import sys

sys.stdin.readline()
sys.stdin.readline()  # waits for an answer to a guess it never makes
