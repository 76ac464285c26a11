print("EVEN   NUMBER" if int(input()) % 2 == 0 else "odd\tnumber")
