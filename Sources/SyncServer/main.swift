print("noch nicht implementiert")
