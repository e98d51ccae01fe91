"""One screen per mode of the game, and the modal dialogs."""
