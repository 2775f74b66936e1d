import './key.js';
