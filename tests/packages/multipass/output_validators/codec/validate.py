# Digits only, a multi-pass problem. Pass 1: the input is "encode" and a message; the program
# prints an encoding made of digits only. Pass 2: the input is "decode" and that encoding (as
# this validator wrote it in nextpass.in); the program prints the message back.
import sys

input_path, answer_path, feedback = sys.argv[1:4]
mode, _, data = open(input_path).read().partition("\n")
team = sys.stdin.read().strip()


def reject(why):
    open(feedback + "judgemessage.txt", "w").write(why)
    sys.exit(43)


if mode == "encode":
    if not team or not (team.isascii() and team.isdigit()):
        reject("pass 1: the encoding must be digits only")
    open(feedback + "nextpass.in", "w").write("decode\n" + team + "\n")
    sys.exit(42)
if mode == "decode":
    if team == open(answer_path).read().strip():
        sys.exit(42)
    reject("pass 2: not the message the first pass was given")
sys.exit(1)  # an input this validator did not write: a judge error
