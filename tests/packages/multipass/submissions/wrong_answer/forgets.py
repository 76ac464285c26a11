# Pass 1 is right; pass 2 cannot remember the message (a new run knows only its input).
mode = input()
data = input()
print("".join(f"{ord(c):03d}" for c in data) if mode == "encode" else "hello world")
