package dev.operator.sks.runtime; public class Main { public static void main(String[] a){} }
