print("even" if int(input()) % 2 == 0 else "odd")
