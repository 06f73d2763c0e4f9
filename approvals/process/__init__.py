"""Reading and running process definitions (the BPMN conventions of docs/processes.md)."""
