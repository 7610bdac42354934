// Routes and wiring.
