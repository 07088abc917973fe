print("athanor")
