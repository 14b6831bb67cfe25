# A module that fails to import, for pshost's import-failure test.
throw 'Broken module: this module always fails to import.'
