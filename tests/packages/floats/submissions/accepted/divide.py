a, b = map(int, input().split())
if b == 0:
    print("NaN" if a == 0 else ("Infinity" if a > 0 else "-Infinity"))
else:
    print(f"{a / b:.5f}")
