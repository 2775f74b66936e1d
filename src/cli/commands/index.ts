import './key.js';
import './inspect.js';
import './sign.js';
