/**
 * `npm run bench`: placeholder until the benchmark issue (#5) lands; it will compare the app with
 * bare wllama and native llama.cpp on generated models.
 */
console.log('npm run bench: the benchmark suite is not implemented yet (see issue 5).');
