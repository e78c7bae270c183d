// Public API of src/cp (filled in by its issue).
export {};
