# Each character as its code in three digits, and back.
mode = input()
data = input()
if mode == "encode":
    print("".join(f"{ord(c):03d}" for c in data))
else:
    print("".join(chr(int(data[i : i + 3])) for i in range(0, len(data), 3)))
