# Guess the number: the input holds the secret and the upper bound N; the submission guesses
# (one number a line) and hears "lower", "higher" or "correct"; 10 guesses at most.
import sys

secret, upper = map(int, open(sys.argv[1]).read().split())
print(upper, flush=True)
for _ in range(10):
    line = sys.stdin.readline()
    if not line:
        print("the submission stopped before guessing right", file=open(sys.argv[3] + "judgemessage.txt", "w"))
        sys.exit(43)
    guess = int(line)
    if guess == secret:
        print("correct", flush=True)
        sys.exit(42)
    print("lower" if guess > secret else "higher", flush=True)
print("out of guesses", file=open(sys.argv[3] + "judgemessage.txt", "w"))
sys.exit(43)
