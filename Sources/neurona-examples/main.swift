print("neurona-examples")
