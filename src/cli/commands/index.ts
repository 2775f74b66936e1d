import './key.js';
import './signer.js';
