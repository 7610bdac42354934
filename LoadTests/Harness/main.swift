print("threadmeter-load: not yet")
