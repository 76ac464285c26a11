# Pass 1 is right; decoding never ends.
mode = input()
data = input()
if mode == "encode":
    print("".join(f"{ord(c):03d}" for c in data))
else:
    while True:
        pass
