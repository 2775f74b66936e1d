import './key.js';
import './inspect.js';
