print("threadmeter: not yet")
