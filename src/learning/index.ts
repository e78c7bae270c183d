// Public API of src/learning (filled in by its issue).
export {};
