System.Console.WriteLine("Specialize demo");
