# Pass 1 prints the message itself: not digits, rejected before any second pass.
input()
print(input())
