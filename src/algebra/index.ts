// Public API of src/algebra (filled in by its issue).
export {};
