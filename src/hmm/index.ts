// Public API of src/hmm (filled in by its issue).
export {};
