"""What every domain stands on: the clock, the viewer, errors, ids, pagination, signing,
encryption, the database and the process's environment. Import the module you need."""
