#!/usr/bin/env node
import '../dist/trainer/cli.js';
