"""工作台: the signed-in home page. It reads from the modules (what is due, what waits for review);
core knows none of them. The to-do centre (issue 12) grows here."""
